// A schema as written, before names are resolved: both syntaxes parse into this, and
// SchemaResolver turns it into a `Schema`.

import CedarSyntax

struct RawName {
    var path: [String]
    var basename: String
    var range: SourceRange
    var isQualified: Bool { !path.isEmpty }
    var text: String { (path + [basename]).joined(separator: "::") }
}

indirect enum RawType {
    /// A name to resolve: a common type, an entity type or a built-in (`Long`, `ipaddr`).
    case named(RawName)
    /// JSON `"type": "Name"` for a name that is no keyword: a common type (or built-in) only.
    case common(RawName)
    /// JSON `"type": "Entity"`: an entity type only.
    case entity(RawName)
    /// JSON `"type": "Extension"`.
    case ext(String, SourceRange)
    case bool, long, string
    case set(RawType)
    case record([RawAttribute])
}

struct RawAttribute {
    var name: String
    var type: RawType
    var required: Bool
    var range: SourceRange
}

struct RawEntity {
    var name: String
    var range: SourceRange
    var memberOf: [RawName]
    var shape: RawType?
    var tags: RawType?
    var enumChoices: [String]?
}

struct RawActionRef {
    /// The action type path as written (`Action`, `NS::Action`), nil for the current namespace's.
    var typePath: [String]?
    var id: String
    var range: SourceRange
}

struct RawAppliesTo {
    var principals: [RawName]
    var resources: [RawName]
    var context: RawType?
}

struct RawAction {
    var name: String
    var range: SourceRange
    var memberOf: [RawActionRef]
    var appliesTo: RawAppliesTo?
}

struct RawCommonType {
    var name: String
    var type: RawType
    var range: SourceRange
}

struct RawNamespace {
    var path: [String]
    var commonTypes: [RawCommonType] = []
    var entities: [RawEntity] = []
    var actions: [RawAction] = []
    var range: SourceRange
}
