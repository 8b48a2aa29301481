from services.common.migrate import run_env
from services.clients.models import Base

run_env(Base.metadata)
