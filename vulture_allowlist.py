"""Names vulture (`.venv/bin/vulture`, configured in pyproject.toml) would call unused, and
why each is used after all. Framework conventions (Django's Meta and admin options, DRF's
hooks) are ignored by name in pyproject.toml; this file lists the project's own names.

When vulture fails on a name that is used: add it under the heading that says why (a new
model or serializer field goes under "Fields"). When it is really unused: delete it.
This file is read by vulture only; it is never imported.
"""

# ruff: noqa
# fmt: off

# --- Reached by a dotted path in settings, a URLconf or a library's registry ---------------
JWTUserAuthentication  # REST_FRAMEWORK's DEFAULT_AUTHENTICATION_CLASSES
JWTUserScheme  # drf-spectacular registers OpenApiAuthenticationExtension subclasses itself
ClosedShapeExtension, match_subclasses, map_serializer  # an OpenApiSerializerExtension, likewise
StrictTokenObtainPairSerializer  # SIMPLE_JWT's TOKEN_OBTAIN_SERIALIZER
StrictTokenRefreshSerializer  # SIMPLE_JWT's TOKEN_REFRESH_SERIALIZER
lockout_response  # AXES_LOCKOUT_CALLABLE
original_response  # its signature is django-axes'
lockout_username  # AXES_USERNAME_CALLABLE
not_found, server_error, bad_request, permission_denied  # backend/urls.py's handler404 ...
handler400, handler403, handler404, handler500  # Django reads them from ROOT_URLCONF
postprocess, generator, public  # SPECTACULAR_SETTINGS' POSTPROCESSING_HOOKS, its signature
application  # WSGI_APPLICATION, the ASGI server
prune_change_log  # CELERY_BEAT_SCHEDULE names it (apps.sync.tasks)
_on_after_configure  # connected to Celery's on_after_configure signal by its decorator
_freeze_pool_process, _freeze_worker  # connected to Celery's worker signals by their decorators
app_name  # the portal's URL namespace ("clinic:")
SecondFactorAdminSite  # SecondFactorAdminConfig.default_site names it (the admin site)
default_site  # Django's AdminConfig reads it
lookup_value_regex  # DRF routers read it
_.parse  # DRF's parser interface
_.returning_fields  # Django's InsertQuery reads it
accepted_media_type, renderer_context, _.accepted_media_type  # DRF's renderer interface
_.afterFlowable, _.spaceAfter  # ReportLab's document template hook and paragraph style
Database  # Django's DatabaseWrapper reads self.Database (backend/postgres, ENGINE)
process_role, timeouts_for, libpq_options  # called by backend/settings/database.py (excluded)
UnstorableInputMiddleware, process_view  # MIDDLEWARE; Django's middleware hook
PrivateAnswersMiddleware, ChunkedBodyMiddleware  # MIDDLEWARE
_._stream  # HttpRequest.read() reads it (backend/chunked_bodies.py)
LanguageMiddleware  # MIDDLEWARE (backend/language.py)
KnownParametersMiddleware  # MIDDLEWARE (backend/query_parameters.py)

# --- Types named in string annotations (vulture does not read those) ----------------------
MessageWithLength

# --- Kept for the shell, tests and the documented API --------------------------------------
reminders_dispatch_due  # send what is due in this process (tests, `manage.py shell`)
enqueue_on_commit  # backend.queue's general form, the one docs/architecture.md shows

# --- Selectors the portal reads (docs/api.md, "The clinician's day"), ahead of its pages ----
unresolved_alerts_for, alert_contexts, symptom_diary_for

# --- Fields: models, serializers, forms and filters (read by the framework by name) ----------
code_hash, used_by  # CareTeamInvite
transfer_to  # clinics: the handover serializers and the Handover the API serializes
invited_by, revoked_at, accepted_by, password_again  # StaffInvite, its serializer, the portal's forms
label_from_instance  # ModelChoiceField's hook (the portal's colleague choice)
access, refresh  # token serializers
symptom_log, updated_at, acknowledged_at, acknowledged_by, resolved_at, resolved_by, actor
_.updated_at, _.acknowledged_at, _.acknowledged_by, _.resolved_at, _.resolved_by
q, confirm, _.exercise_name, url_name  # portal forms and sections
_.reduce_suggestions, hints, last_log_at, reduce_suggestions, latest_outcome, open_alerts
field_class, updated_since, target_area
other_names, how_it_links, typical_symptoms, clinician_workup, treatment_outline
when_to_seek_care, protocols, session_kind, red_flags
# Safety texts' Spanish and reviewed marks, read by name (models.reviewed_text_served)
cautions_es_reviewed_by, cautions_es_reviewed_at, _.cautions_es_reviewed_by, _.cautions_es_reviewed_at
when_to_seek_care_es, when_to_seek_care_es_reviewed_by, when_to_seek_care_es_reviewed_at
archived_at, discharged_by, reminders_cancelled, _.reminders_cancelled, created_by
_.discharged_by
morning_before, next_morning, window_start, sessions_as_prescribed, max_pain_during
item_max_pain, max_difficulty, sessions_without_difficulty, mornings_compared
mornings_worse, weekly_mean_pain, previous_weekly_mean_pain, open_blocking_alert
reply_to, care_team_link
me, outcome_schedules, care_sessions, symptom_logs, exercise_logs, outcome_responses  # sync/'s changes
_.disabled_at, _.disabled_reason, due_at, claim_token, token_hash, last_seen_at
disabled_at, disabled_reason, last_error, _.due_at
due_since, next_due_on, is_baseline, latest_at
sessions_per_week, _.sessions_per_week, _.archived_at, remaining, ratio
until
email_verified, new_password_again  # me/ and the portal's new-password form
columns  # a chart's table header, read by the portal's template
unresolved_alerts, most_urgent_alert  # the caseload's wave-3 fields
pain_above_limit  # an exercise log's stored flag: the API serves it, the sweep's filter names it
also_in  # a red-flag seed's other sources: data a reader of triage.py needs
# Alert details and the export's rows: shapes for the schema only (backend/closed_shapes.py)
rise, pain_rising, new_swelling, new_numbness, new_cannot_bear_weight, exercise_pain_above_limit
lefs_worsened, psfs_worsened, physio__email, condition__slug, version__version, exercise__slug
plan_item_id, exported_at, profile, care_team, record_access, exercise_plans

# --- Choices and error codes: values clients, content and fixtures use ----------------------
HAMSTRINGS, QUADRICEPS, GLUTEALS, KNEE, HIP, CORE, TENDONS
FRONT_OF_THIGH, REFERRED_PAIN, ALTERED_GAIT, PROTECTIVE_TIGHTENING, NERVE_IRRITATION
PRESSURE_SWELLING, REFERRED_FROM_BACK
IOS, ANDROID
ES  # Language: a language people may choose
BURNING, TINGLING, THROBBING, WALKING, SITTING, STANDING
NAIVE_TIME, IN_FUTURE, TOO_OLD
AUTHENTICATION_FAILED, NOT_AUTHENTICATED, TOKEN_NOT_VALID, NO_ACTIVE_ACCOUNT
BAD_AUTHORIZATION_HEADER, USER_NOT_FOUND, USER_INACTIVE, PASSWORD_CHANGED, THROTTLED

# --- ReportLab drawings: attributes the library reads when it draws -----------------------
_.transform, _.valueMin, _.valueMax, _.valueStep, _.valueSteps, _.visibleGrid
_.gridStrokeColor, _.strokeColor, _.strokeWidth, _.fontName, _.fontSize, _.fillColor
_.labelTextFormat, _.symbol, _.categoryNames, _.barLabelFormat, _.nudge
PAGE_HEIGHT  # A4 unpacked: the width is what the layout needs

# --- Exercise media, own exercises, templates, handouts (wave 3) -------------------------------
RolePermissionBackend  # AUTHENTICATION_BACKENDS (backend/settings/auth.py)
_.handle_raw_input, _.receive_data_chunk, _.file_complete  # Django's FileUploadHandler interface
_.upload_handlers  # Django reads request.upload_handlers when it parses the body
_.get_authenticators  # DRF's APIView hook
_.MAX_IMAGE_PIXELS  # Pillow's decompression-bomb limit, read by Image.open
_.hAlign  # ReportLab's flowable alignment
_.exercise_picture, _.is_own  # read by the portal's templates
poster_upload  # the admin's media form field, read by name in clean()
poster_content_type, poster_size_bytes, uploaded_by, poster_url  # ExerciseMedia, its serializer

