/// MailTransport: see the target's documentation catalog.
enum MailTransportModule {}
