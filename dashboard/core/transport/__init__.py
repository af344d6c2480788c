"""The pure logic of the sources: what a transport declares, how its bytes are
cut and read, what a WebSocket says, how a watch resumes, backoff."""
