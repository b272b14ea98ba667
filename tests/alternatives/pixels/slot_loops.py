"""A correct frame buffer written with plain loops over frame numbers, keeping per slot the
number of the frame stored there and a flag for an episode's first frame instead of the
episode's start, and drawing by rejection (a random stored frame, drawn again until it
starts a sampleable transition) instead of listing them all; and a network whose forward
divides in place on a fresh float copy and reshapes the features with view."""
# Only these pieces are written here: tests/test_graders.py puts them after the provided
# code of solutions/pixels.py; these definitions win.


class FrameReplayBuffer:
    def __init__(self, capacity: int, frame_shape: tuple[int, int], stack: int):
        self.capacity, self.stack = check_count(capacity, "capacity"), check_count(stack, "stack")
        self.frame_shape = tuple(int(n) for n in frame_shape)
        self.frames = np.zeros((self.capacity, *self.frame_shape), dtype=np.uint8)
        self.number = np.full(self.capacity, -1, dtype=np.int64)
        self.starts_episode = np.zeros(self.capacity, dtype=bool)
        self.actions = np.zeros(self.capacity, dtype=np.int64)
        self.rewards = np.zeros(self.capacity, dtype=np.float32)
        self.flags = np.zeros((self.capacity, 2), dtype=np.float32)
        self.count = 0

    def _put(self, frame: np.ndarray, first: bool) -> None:
        slot = self.count % self.capacity
        self.frames[slot], self.number[slot], self.starts_episode[slot] = frame, self.count, first
        self.count += 1

    def start_episode(self, frame: np.ndarray) -> None:
        self._put(check_gray_frame(frame, self.frame_shape), True)

    def add(self, action, reward, next_frame, terminated, truncated) -> None:
        slot = (self.count - 1) % self.capacity
        self.actions[slot], self.rewards[slot] = int(action), float(reward)
        self.flags[slot] = (float(terminated), float(truncated))
        self._put(check_gray_frame(next_frame, self.frame_shape), False)

    def _stored(self, n: int) -> bool:
        return 0 <= n < self.count and self.number[n % self.capacity] == n

    def _stack(self, n: int) -> list[int] | None:
        numbers = [n]
        while len(numbers) < self.stack:
            current = numbers[0]
            if self.starts_episode[current % self.capacity]:
                numbers.insert(0, current)
            elif self._stored(current - 1):
                numbers.insert(0, current - 1)
            else:
                return None
        return numbers

    def _sampleable(self, n: int) -> bool:
        return (self._stored(n) and self._stored(n + 1) and not self.starts_episode[(n + 1) % self.capacity]
                and self._stack(n) is not None)

    def sampleable(self) -> np.ndarray:
        kept = [n for n in range(max(0, self.count - self.capacity), self.count - 1) if self._sampleable(n)]
        return np.array(kept, dtype=np.int64)

    def __len__(self) -> int:
        return len(self.sampleable())

    def sample(self, batch_size: int, rng: np.random.Generator) -> Batch:
        oldest = max(0, self.count - self.capacity)
        check_sample_args(int(self.count - oldest > 1 and any(self._sampleable(n) for n in range(oldest, self.count))),
                          batch_size, rng)
        chosen = []
        while len(chosen) < batch_size:
            n = int(rng.integers(oldest, self.count))
            if self._sampleable(n):
                chosen.append(n)
        observations = np.stack([self.frames[[m % self.capacity for m in self._stack(n)]] for n in chosen])
        next_observations = np.stack([self.frames[[m % self.capacity for m in self._stack(n + 1)]] for n in chosen])
        slots = np.array(chosen) % self.capacity
        return Batch(torch.from_numpy(observations), torch.from_numpy(self.actions[slots]),
                     torch.from_numpy(self.rewards[slots]), torch.from_numpy(next_observations),
                     torch.from_numpy(self.flags[slots, 0].copy()), torch.from_numpy(self.flags[slots, 1].copy()))


def _forward(self, observations: torch.Tensor) -> torch.Tensor:
    check_pixel_observations(observations, self.stack, self.height, self.width)
    x = observations.to(torch.float32)
    x /= 255
    x = self.convs(x)
    x = torch.nn.functional.relu(self.hidden(x.view(x.size(0), -1)))
    return self.head(x)


PixelQNetwork.forward = _forward
