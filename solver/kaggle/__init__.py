"""Running on Kaggle: the notebook's steps and the offline bundle uploaded as a dataset."""
