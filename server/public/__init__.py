"""Public pages: what anyone may see, such as the page behind a site's posted QR code."""
