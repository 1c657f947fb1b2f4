// The Cedar language as one import: syntax (parser, formatter, JSON form), evaluation
// (values, entities, authorizer) and validation (schemas, type checker).
@_exported import CedarSyntax
@_exported import CedarEval
@_exported import CedarValidator
