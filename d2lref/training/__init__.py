"""d2lref.training (public names are listed in __all__ and re-exported by d2lref.torch)."""

__all__: list[str] = []

# Kaggle house prices (log-RMSE, Adam training, K-fold cross-validation).
from d2lref.training.house_prices import (  # noqa: E402
    KFoldResult,
    get_k_fold_data,
    house_price_net,
    k_fold,
    log_rmse,
    train_and_pred,
    train_house_prices,
)

__all__ += [
    "KFoldResult",
    "get_k_fold_data",
    "house_price_net",
    "k_fold",
    "log_rmse",
    "train_and_pred",
    "train_house_prices",
]
