"""Date formats of the interface languages where Django's own do not suit the site (FORMAT_MODULE_PATH);
Chinese keeps Django's (2026年12月1日)."""
