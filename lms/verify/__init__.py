"""The public verify pages: anyone holding a certificate code can check it, no login needed."""
