# Read by the `flask` command in this checkout (never by gunicorn, nor by the Procfile's flask
# lines, which say APP_ENV=production unless the environment says otherwise). Without
# APP_ENV the app takes production's settings and refuses the public development secrets.
APP_ENV=development
