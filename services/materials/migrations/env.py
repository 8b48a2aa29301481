from services.common.migrate import run_env
from services.materials.models import Base

run_env(Base.metadata)
