/// MailTesting: see the target's documentation catalog.
enum MailTestingModule {}
