"""Reading reports other people wrote: Word, PDF and web pages, assembled into the report by meaning."""
