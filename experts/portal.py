"""The roster's contributions to the portal shell."""
