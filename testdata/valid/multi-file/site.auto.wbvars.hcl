server = "wds01.contoso.com"
