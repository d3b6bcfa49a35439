"""gRPC transport: converters, servicers and the server. Only translation lives here."""
