// Compares JSON texts by meaning (key order within objects does not matter).

import Foundation

enum JSONCompare {
    static func object(_ text: String) -> NSObject? {
        try? JSONSerialization.jsonObject(with: Data(text.utf8), options: [.fragmentsAllowed]) as? NSObject
    }

    static func same(_ a: String, _ b: String) -> Bool {
        guard let x = object(a), let y = object(b) else { return false }
        return x.isEqual(y)
    }
}
