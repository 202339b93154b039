"""Paperclip bridges: the drop-in `kubeclip-opencode` and OpenCode's output parser."""
