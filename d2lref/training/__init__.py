"""d2lref.training: metrics, the from-scratch linear pieces and the book's training loops.

Public names are listed in ``__all__`` and re-exported by ``d2lref.torch``.
"""

from typing import TYPE_CHECKING

from d2lref._lazy import lazy_package

__all__ = [
    "METRICS_MIME_TYPE",
    "Accumulator",
    "Timer",
    "TrainResult",
    "accuracy",
    "correct_count",
    "evaluate_accuracy",
    "evaluate_accuracy_gpu",
    "evaluate_loss",
    "linreg",
    "predict_ch3",
    "publish_metrics",
    "sgd",
    "squared_loss",
    "train_ch3",
    "train_ch6",
    "train_epoch_ch3",
    # Kaggle house prices (log-RMSE, Adam training, K-fold cross-validation).
    "KFoldResult",
    "get_k_fold_data",
    "house_price_net",
    "k_fold",
    "log_rmse",
    "train_and_pred",
    "train_house_prices",
]

# Each name is imported from its module on first use (see d2lref._lazy): a program imports
# only the modules it uses.
lazy_package(__name__, __file__)

if TYPE_CHECKING:
    from d2lref.training.house_prices import (
        KFoldResult,
        get_k_fold_data,
        house_price_net,
        k_fold,
        log_rmse,
        train_and_pred,
        train_house_prices,
    )
    from d2lref.training.linear import linreg, sgd, squared_loss
    from d2lref.training.loops import TrainResult, train_ch3, train_ch6, train_epoch_ch3
    from d2lref.training.metrics import (
        Accumulator,
        Timer,
        accuracy,
        correct_count,
        evaluate_accuracy,
        evaluate_accuracy_gpu,
        evaluate_loss,
    )
    from d2lref.training.predict import predict_ch3
    from d2lref.training.report import METRICS_MIME_TYPE, publish_metrics
