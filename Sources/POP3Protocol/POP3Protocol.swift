/// POP3Protocol: see the target's documentation catalog.
enum POP3ProtocolModule {}
