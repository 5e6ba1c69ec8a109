from django.apps import AppConfig


class ShoesConfig(AppConfig):
    name = "shoes"
    verbose_name = "Shoes and insoles"
