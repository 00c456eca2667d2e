"""The Django admin app, served by the site that shares the staff login (admin_site.py)."""

from django.contrib.admin.apps import AdminConfig


class StaffAdminConfig(AdminConfig):
    default_site = "madoguchi.accounts.admin_site.StaffAdminSite"
