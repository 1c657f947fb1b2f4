import Testing

@Test func placeholder_CedarValidatorTests() { #expect(Bool(true)) }
