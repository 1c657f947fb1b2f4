import Testing

@Test func placeholder_PolicyCompilerTests() { #expect(Bool(true)) }
