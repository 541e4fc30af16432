"""The process: delivery, outages, crashes and several processes, the transport, the token,
the network guard, backups and errors."""
