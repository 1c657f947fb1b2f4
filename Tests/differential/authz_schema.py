"""The schema that types the generator's vocabulary (gen.py), for schema-based authorization
cases: entities and contexts are then read by declared type, must conform, and the
schema's actions join the entity store."""

_ATTRS = """{
    age?: Long, name?: String, active?: Bool, roles?: Set<String>, nums?: Set<Long>,
    manager?: User, owner?: User, friends?: Set<User>, addr?: ipaddr, score?: decimal,
    created?: datetime, ttl?: duration,
    info?: { level?: Long, tag?: String, who?: User, ref?: { type: String, id: String },
             sub?: { deep?: Bool, level?: Long } },
    "odd key"?: String, "if"?: Long,
  }"""

SCHEMA = """namespace Ns {
  entity Res %(a)s tags Long;
}
entity Group in [Group] %(a)s tags Long;
entity Folder in [Folder] %(a)s tags Long;
entity User in [Group, Ns::Res] %(a)s tags Long;
entity Doc in [Folder] %(a)s tags Long;
type Ctx = {
  n?: Long, s?: String, flag?: Bool, ip?: ipaddr, dec?: decimal, when?: datetime, d?: duration,
  list?: Set<Long>, rec?: { level?: Long, tag?: String, who?: User, ref?: { type: String, id: String },
  sub?: { deep?: Bool, level?: Long } }, who?: User, tags?: Set<String>,
};
action all;
action readGroup in [all];
action read in [readGroup] appliesTo { principal: [User, Group, Ns::Res], resource: [Doc, Folder, User, Ns::Res], context: Ctx };
action write in [all] appliesTo { principal: [User, Group, Ns::Res], resource: [Doc, Folder, User, Ns::Res], context: Ctx };
action delete appliesTo { principal: [User, Group, Ns::Res], resource: [Doc, Folder, User, Ns::Res], context: Ctx };
""" % {"a": _ATTRS}

# The action hierarchy the schema declares (an action entity in the store must match it).
ACTION_PARENTS = {"read": ["readGroup"], "readGroup": ["all"], "write": ["all"], "delete": [], "all": []}
ACTION_ANCESTORS = {"read": ["readGroup", "all"], "readGroup": ["all"], "write": ["all"], "delete": [], "all": []}
