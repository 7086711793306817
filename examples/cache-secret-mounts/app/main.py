"""A tiny Flask app, served by gunicorn."""
from flask import Flask, request

app = Flask(__name__)


@app.get("/")
def hello():
    name = request.args.get("name", "world")
    return {"message": f"Hello, {name}!"}
