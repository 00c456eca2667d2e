# StaffDepartment now belongs to accounts (accounts 0003); the table is kept as it is.

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0003_staff_department_moves_to_accounts'),
        ('applications', '0005_application_language'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name='StaffDepartment')],
            database_operations=[],
        ),
    ]
