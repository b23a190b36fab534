"""What people read: style, figures, HTML rendering and the campaign report's sections."""
