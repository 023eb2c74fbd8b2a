import os

# Quiet TensorFlow's C++ start-up lines in test logs (not its oneDNN setting:
# TF_ENABLE_ONEDNN_OPTS=0 made LSTM training 1.6x slower on the CI machines).
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
