import Testing

@Test func placeholder_CedarEvalTests() { #expect(Bool(true)) }
