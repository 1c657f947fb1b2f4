// Cedar evaluation: values, extension types, entities, evaluator, authorizer.
