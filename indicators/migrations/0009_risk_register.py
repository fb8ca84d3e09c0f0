# Issue 13 (E4): the risk register: target scores, the managing directorate, linked actions.

import django.core.validators
import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('indicators', '0008_risks_and_national_benchmarks'),
        ('plans', '0005_plan_approval_workflow'),
        ('pmf', '0008_api_tokens'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name='corporaterisk',
            name='actions',
            field=models.ManyToManyField(blank=True, help_text='The plan actions that reduce the risk.', related_name='risks', to='plans.action'),
        ),
        migrations.AddField(
            model_name='corporaterisk',
            name='directorate',
            field=models.ForeignKey(blank=True, help_text='The directorate that manages the risk.', null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='risks', to='pmf.directorate'),
        ),
        migrations.AddField(
            model_name='corporaterisk',
            name='target_impact',
            field=models.PositiveSmallIntegerField(blank=True, help_text='How severe it should be once the planned actions are done, 1 (minimal) to 5 (severe).', null=True, validators=[django.core.validators.MinValueValidator(1), django.core.validators.MaxValueValidator(5)]),
        ),
        migrations.AddField(
            model_name='corporaterisk',
            name='target_likelihood',
            field=models.PositiveSmallIntegerField(blank=True, help_text='How likely the risk should be once the planned actions are done, 1 (rare) to 5 (almost certain).', null=True, validators=[django.core.validators.MinValueValidator(1), django.core.validators.MaxValueValidator(5)]),
        ),
        migrations.AddConstraint(
            model_name='corporaterisk',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('target_likelihood__isnull', True), models.Q(('target_likelihood__gte', 1), ('target_likelihood__lte', 5)), _connector='OR'), models.Q(('target_impact__isnull', True), models.Q(('target_impact__gte', 1), ('target_impact__lte', 5)), _connector='OR')), name='risk_target_scores_1_to_5', violation_error_message='The target likelihood and impact are scored 1 to 5.'),
        ),
    ]
