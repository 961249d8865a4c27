/// MailMessage: see the target's documentation catalog.
enum MailMessageModule {}
