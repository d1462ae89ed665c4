"""The house's date formats for Django (settings FORMAT_MODULE_PATH): one format everywhere."""
