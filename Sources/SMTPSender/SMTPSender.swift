/// SMTPSender: see the target's documentation catalog.
enum SMTPSenderModule {}
