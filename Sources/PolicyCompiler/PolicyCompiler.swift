// PolicyCompiler module.
