"""Administration pages for supervisors: prompts, departments, ladder, boxes, agents."""

from flask import Blueprint

bp = Blueprint('admin', __name__, url_prefix='/admin')
