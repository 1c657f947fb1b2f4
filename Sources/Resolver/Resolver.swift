// leash's DNS resolver and address binding (issue 6).
