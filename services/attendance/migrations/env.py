from services.common.migrate import run_env
from services.attendance.models import Base

run_env(Base.metadata)
