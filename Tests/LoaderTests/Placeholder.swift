import Testing

@Test func placeholder_LoaderTests() { #expect(Bool(true)) }
