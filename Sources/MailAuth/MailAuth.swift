/// MailAuth: see the target's documentation catalog.
enum MailAuthModule {}
