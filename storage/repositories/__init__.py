"""Repositories take a session and never commit; the unit of work does."""
from .asked import AskedQuestionRepository
from .bodies import BodyRepository
from .catalog import CatalogRepository, RecommendationFilter
from .ops import AuditRepository, ConversationRepository, OpsRepository
from .people import PeopleRepository
from .questions import QuestionRepository
from .reports import ReportFileRepository
from .rounds import RoundRepository
from .subscriptions import SubscriptionRepository

__all__ = ["AskedQuestionRepository", "AuditRepository", "BodyRepository", "CatalogRepository", "ConversationRepository",
           "OpsRepository", "PeopleRepository", "QuestionRepository", "RecommendationFilter", "ReportFileRepository", "RoundRepository", "SubscriptionRepository"]
