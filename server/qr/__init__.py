"""Signed site QR codes (场所二维码): keys, signing and verification (signing), images and A4 sheets (render)."""
