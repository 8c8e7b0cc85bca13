"""One aiogram Router per feature; each module's ``setup()`` returns a fresh one."""
