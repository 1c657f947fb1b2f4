// The extension types and all their methods. Expected outcomes, including which
// spellings the constructors reject, were checked against cedarpy 4.12 first.

import CedarEval
import CedarSyntax
import Testing

@Suite struct IPAddrTests {
    @Test(arguments: [
        ("ip(\"10.0.0.1\") == ip(\"10.0.0.1/32\")", T),
        ("ip(\"10.0.0.1/24\") == ip(\"10.0.0.0/24\")", F),
        ("ip(\"1.2.3.4/0\") == ip(\"0.0.0.0/0\")", F),
        ("ip(\"::\") == ip(\"::0\")", T), ("ip(\"1::\") == ip(\"1:0::\")", T),
        ("ip(\"FE80::1\").isIpv6()", T), ("ip(\"0001::1\").isIpv6()", T), ("ip(\"0.0.0.0\").isIpv4()", T),
        ("ip(\"1:2:3:4:5:6:7::\").isIpv6()", T), ("ip(\"::2:3:4:5:6:7:8\").isIpv6()", T),
        ("ip(\"1.2.3.4\").isIpv6()", F), ("ip(\"::1\").isIpv4()", F),
    ])
    func parsingAndEquality(_ source: String, _ expected: Outcome) throws {
        #expect(try eval(source) == expected, "\(source)")
    }

    @Test(arguments: [
        "010.0.0.1", "0.0.0.00", "1.2.3", "1.2.3.256", " 1.2.3.4", "::ffff:10.0.0.1", "1:2:3:4:5:6:1.2.3.4",
        "fe80::1%eth0", "[::1]", "00001::1", "1:2:3:4:5:6:7:8:9", "1:2:3:4:5:6:7:8::", "1:2:3:4::5:6:7:8",
        ":1::2", "1:::2", "1::2::3", "1.2.3.4/33", "1.2.3.4/08", "1.2.3.4/", "1.2.3.4/32/", "::1/0128",
        "1.2.3.4/-1", "1.2.3.4/+1", "::1/129", "", "1.2.3.4 ",
    ])
    func rejectedSpellings(_ text: String) throws {
        #expect(try eval("ip(\"\(text)\").isIpv4()") == E, "\(text)")
    }

    @Test(arguments: [
        ("ip(\"::1\").isLoopback()", T), ("ip(\"127.5.0.1\").isLoopback()", T), ("ip(\"127.0.0.1/7\").isLoopback()", F),
        ("ip(\"::1/128\").isLoopback()", T), ("ip(\"::1/127\").isLoopback()", F), ("ip(\"::2\").isLoopback()", F),
        ("ip(\"224.0.0.1/4\").isMulticast()", T), ("ip(\"224.0.0.1/3\").isMulticast()", F),
        ("ip(\"ff00::/8\").isMulticast()", T), ("ip(\"ff00::/7\").isMulticast()", F),
        ("ip(\"10.0.0.1\").isInRange(ip(\"10.0.0.0/8\"))", T), ("ip(\"10.0.0.0/8\").isInRange(ip(\"10.0.0.0/8\"))", T),
        ("ip(\"10.0.0.0/7\").isInRange(ip(\"10.0.0.0/8\"))", F), ("ip(\"10.1.0.0/16\").isInRange(ip(\"10.0.0.5/8\"))", T),
        ("ip(\"::1\").isInRange(ip(\"0.0.0.0/0\"))", F), ("ip(\"0.0.0.0/0\").isInRange(ip(\"::/0\"))", F),
        ("ip(\"::/0\").isInRange(ip(\"::/0\"))", T), ("ip(\"1.2.3.4\").isInRange(ip(\"1.2.3.4\"))", T),
        ("ip(\"1.2.3.4\").isInRange(ip(\"1.2.3.5\"))", F), ("ip(\"1.2.3.4/30\").isInRange(ip(\"1.2.3.5/30\"))", T),
        ("ip(\"2001:db8::1\").isInRange(ip(\"2001:db8::/32\"))", T), ("ip(\"2001:db9::1\").isInRange(ip(\"2001:db8::/32\"))", F),
        ("ip(\"1.2.3.4\").isInRange(1)", E), ("ip(\"1.2.3.4\") < ip(\"1.2.3.5\")", E),
    ])
    func methods(_ source: String, _ expected: Outcome) throws {
        #expect(try eval(source) == expected, "\(source)")
    }
}

@Suite struct DecimalTests {
    @Test(arguments: [
        ("decimal(\"1.0\") == decimal(\"1.0000\")", T), ("decimal(\"-0.0\") == decimal(\"0.0\")", T),
        ("decimal(\"01.0\") == decimal(\"1.0\")", T),
        ("decimal(\"922337203685477.5807\") == decimal(\"922337203685477.5807\")", T),
        ("decimal(\"-922337203685477.5808\").lessThan(decimal(\"0.0\"))", T),
        ("decimal(\"1.0\").lessThan(decimal(\"1.1\"))", T), ("decimal(\"1.0\").lessThanOrEqual(decimal(\"1.0\"))", T),
        ("decimal(\"1.0\").greaterThan(decimal(\"1.1\"))", F), ("decimal(\"1.0\").greaterThanOrEqual(decimal(\"1.0\"))", T),
        ("decimal(\"-1.0\").lessThan(decimal(\"-0.9\"))", T),
        ("decimal(\"1.0\") < decimal(\"1.1\")", E), ("decimal(\"1.0\").lessThan(1)", E),
    ])
    func methods(_ source: String, _ expected: Outcome) throws {
        #expect(try eval(source) == expected, "\(source)")
    }

    @Test(arguments: ["1", "1.", ".1", "1.00000", "+1.0", "922337203685477.5808", "-922337203685477.5809",
                      " 1.0", "1.0 ", "1_0.0", "1e1", "-.5", "--1.0", ""])
    func rejectedSpellings(_ text: String) throws {
        #expect(try eval("decimal(\"\(text)\") == decimal(\"1.0\")") == E, "\(text)")
    }

    @Test func textForm() throws {
        #expect(try CedarDecimal(parsing: "-12.5").description == "-12.5000")
        #expect(try CedarDecimal(parsing: "-12.5").scaled == -125_000)
    }
}

@Suite struct DatetimeTests {
    @Test(arguments: [
        ("datetime(\"2024-01-01\") == datetime(\"2024-01-01T00:00:00Z\")", T),
        ("datetime(\"2024-01-01T00:00:00.000Z\") == datetime(\"2024-01-01\")", T),
        ("datetime(\"2024-01-01T01:00:00+0100\") == datetime(\"2024-01-01\")", T),
        ("datetime(\"2024-01-01T00:00:00-0000\") == datetime(\"2024-01-01\")", T),
        ("datetime(\"2024-01-01T00:00:00+2359\") < datetime(\"2024-01-02\")", T),
        ("datetime(\"2024-02-29\") < datetime(\"2024-03-01\")", T), ("datetime(\"2000-02-29\") > datetime(\"0000-01-01\")", T),
        ("datetime(\"0000-01-01\") < datetime(\"2024-01-02\")", T),
        ("datetime(\"9999-12-31T23:59:59.999Z\") > datetime(\"2024-01-02\")", T),
        ("datetime(\"0000-01-01T00:00:00+2359\") < datetime(\"0000-01-01\")", T),
        ("datetime(\"2024-01-01\") < duration(\"1d\")", E), ("datetime(\"2024-01-01\") == duration(\"1d\")", F),
    ])
    func parsingAndComparison(_ source: String, _ expected: Outcome) throws {
        #expect(try eval(source) == expected, "\(source)")
    }

    @Test(arguments: ["2024-01-01T01:00:00+01:00", "2024-01-01T00:00:00.1Z", "2024-01-01T00:00:00.0001Z",
                      "2024-02-30", "2023-02-29", "1900-02-29", "2024-01-01T24:00:00Z", "2024-01-01T23:59:60Z",
                      "2024-01-01T00:00:00+2400", "2024-01-01T00:00:00+0060", "2024-01-01T00:00:00z",
                      "2024-1-01", "-001-01-01", "12345-01-01", "2024-01-01T00:00:00", "2024-01-01T00:00Z",
                      "2024-01-01 00:00:00Z", "2024-01-01Z", "2024-13-01", "2024-00-01", "2024-01-00",
                      "2024-01-01T00:00:00+0a00", "2024-01-01T00:00:00.12aZ", "2024-01-01T0a:00:00Z", "２024-01-01"])
    func rejectedSpellings(_ text: String) throws {
        #expect(try eval("datetime(\"\(text)\") == datetime(\"2024-01-01\")") == E, "\(text)")
    }

    @Test(arguments: [
        ("datetime(\"1969-12-31T23:59:59.999Z\").toDate() == datetime(\"1969-12-31\")", T),
        ("datetime(\"1969-12-31T23:59:59.999Z\").toTime() == duration(\"23h59m59s999ms\")", T),
        ("datetime(\"2024-10-15T11:38:02.123Z\").toTime() == duration(\"11h38m2s123ms\")", T),
        ("datetime(\"2024-10-15T11:38:02+0200\").offset(duration(\"-1d\")) == datetime(\"2024-10-14T09:38:02Z\")", T),
        ("datetime(\"2024-10-15\").durationSince(datetime(\"2024-10-14\")) == duration(\"1d\")", T),
        ("datetime(\"2024-10-14\").durationSince(datetime(\"2024-10-15\")) == duration(\"-1d\")", T),
        ("datetime(\"0000-01-01T00:00:01Z\").toDate() == datetime(\"0000-01-01\")", T),
        ("datetime(\"2024-01-01\").toTime() == duration(\"0ms\")", T),
        ("datetime(\"2024-01-01\").offset(duration(\"9223372036854775807ms\")) > datetime(\"0000-01-01\")", E),
        ("datetime(\"0000-01-01\").durationSince(datetime(\"9999-01-01\")) < duration(\"0ms\")", T),
        ("datetime(\"1970-01-01\").offset(duration(\"-9223372036854775807ms\")).toDate() == datetime(\"1970-01-01\")", E),
        ("datetime(\"1970-01-01\").offset(duration(\"-9223372036854775808ms\")).toTime() == duration(\"0ms\")", F),
        ("datetime(\"1970-01-01\").offset(duration(\"9223372036854775807ms\")).toDate() > datetime(\"1970-01-01\")", T),
        ("datetime(\"1970-01-01\").offset(duration(\"-9223372036854775808ms\")).durationSince(datetime(\"1970-01-01T00:00:00.001Z\")) == duration(\"0ms\")", E),
    ])
    func methods(_ source: String, _ expected: Outcome) throws {
        #expect(try eval(source) == expected, "\(source)")
    }
}

@Suite struct DurationTests {
    @Test(arguments: [
        ("duration(\"1d2h3m4s5ms\").toMilliseconds() == 93784005", T),
        ("duration(\"1d2h3m4s5ms\").toSeconds() == 93784", T),
        ("duration(\"-1d2h3m4s5ms\").toMinutes() == -1563", T),
        ("duration(\"-1d2h3m4s5ms\").toHours() == -26", T),
        ("duration(\"-1d2h3m4s5ms\").toDays() == -1", T),
        ("duration(\"-1d2h\") == duration(\"-26h\")", T), ("duration(\"0ms\") == duration(\"0s\")", T),
        ("duration(\"-0s\") == duration(\"0s\")", T), ("duration(\"90m\") == duration(\"1h30m\")", T),
        ("duration(\"01h\") == duration(\"1h\")", T), ("duration(\"1d\") <= duration(\"24h\")", T),
        ("duration(\"9223372036854775807ms\") > duration(\"0ms\")", T),
        ("duration(\"-9223372036854775808ms\") < duration(\"0ms\")", T),
        ("duration(\"-9223372036854775s808ms\") < duration(\"0ms\")", T),
        ("duration(\"106751991167d\") > duration(\"0ms\")", T),
    ])
    func methods(_ source: String, _ expected: Outcome) throws {
        #expect(try eval(source) == expected, "\(source)")
    }

    @Test(arguments: ["1h1d", "1d1d", "", "1ms1s", "1D", "+1d", "1.5h", "1d 2h", "d", "-", "1d-2h", "1s5",
                      "9223372036854775808ms", "106751991168d", "-1s9223372036854775807ms", "9223372036854775s808ms"])
    func rejectedSpellings(_ text: String) throws {
        #expect(try eval("duration(\"\(text)\") == duration(\"1d\")") == E, "\(text)")
    }

    @Test func textForm() throws {
        #expect(try Duration(parsing: "-1d2h3m4s5ms").description == "-1d2h3m4s5ms")
        #expect(Duration(milliseconds: .min).description.hasPrefix("-"))
        #expect(try Duration(parsing: Duration(milliseconds: .min).description).milliseconds == .min)
    }
}
