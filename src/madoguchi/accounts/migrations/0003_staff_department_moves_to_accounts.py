# The StaffDepartment model moves from applications to accounts (department scoping belongs
# with the staff accounts). Its table stays as it is: only Django's model state moves.

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0002_second_factor_requirement'),
        ('applications', '0005_application_language'),
        ('tenancy', '0003_opening_hours_labels'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='StaffDepartment',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('department', models.CharField(help_text='手続の「担当課」と同じ名前を書いてください。', max_length=80, verbose_name='担当課')),
                        ('municipality', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='tenancy.municipality', verbose_name='自治体')),
                        ('staff', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='departments', to=settings.AUTH_USER_MODEL, verbose_name='職員')),
                    ],
                    options={
                        'verbose_name': '職員の担当課',
                        'verbose_name_plural': '職員の担当課',
                        'db_table': 'applications_staffdepartment',
                        'constraints': [models.UniqueConstraint(fields=('staff', 'department'), name='staff_department_unique')],
                    },
                ),
            ],
            database_operations=[],
        ),
    ]
