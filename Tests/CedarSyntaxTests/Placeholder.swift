import Testing

@Test func placeholder_CedarTests() { #expect(Bool(true)) }
