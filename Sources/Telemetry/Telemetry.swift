// Decision events, audit log and summary, shared by both backends.
