from django.urls import path
from django.views.generic import RedirectView

from shoes import views
from shoes.models import Insole, Shoe

urlpatterns = [
    path("shoes/", views.gear_list, name="gear_list"),
    # Shoes and insoles share one page; /insoles/ is where some will look for theirs.
    path("insoles/", RedirectView.as_view(url="/shoes/#insoles"), name="insole_list"),
]

for prefix, model in (("shoes", Shoe), ("insoles", Insole)):
    name = model._meta.model_name
    urlpatterns += [
        path(f"{prefix}/new/", views.gear_new, {"model": model}, name=f"{name}_new"),
        path(f"{prefix}/<int:pk>/edit/", views.gear_edit, {"model": model}, name=f"{name}_edit"),
        path(f"{prefix}/<int:pk>/retire/", views.gear_retire, {"model": model}, name=f"{name}_retire"),
        path(
            f"{prefix}/<int:pk>/default/", views.gear_make_default, {"model": model}, name=f"{name}_default"
        ),
        path(f"{prefix}/<int:pk>/delete/", views.gear_delete, {"model": model}, name=f"{name}_delete"),
    ]
