from services.common.migrate import run_env
from services.reception.models import Base

run_env(Base.metadata)
