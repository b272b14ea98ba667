"""A correct training loop that makes the hard target copy at the top of an iteration, before
acting (``step % target_update_every == 0`` with ``step`` the number of env steps taken so far,
so also once before the first step, when the copy changes nothing), and that counts a round's
gradient steps all at once when the round is over."""
# Only `train` is written here: tests/test_graders.py puts it after the provided
# code of solutions/dqn_loop.py (imports, DQNConfig, TrainResult, helpers).


def train(config: DQNConfig) -> TrainResult:
    """Train a DQN agent as set by ``config``; see the module docstring for the structure."""
    torch.manual_seed(config.seed)
    rng = np.random.default_rng(config.seed)
    env = make_env(config.env_id, config.seed)
    q_network = QNetwork(env.observation_space.shape[0], int(env.action_space.n), config.hidden_sizes)
    target_network = copy.deepcopy(q_network)
    target_network.requires_grad_(False)
    optimizer = torch.optim.Adam(q_network.parameters(), lr=config.learning_rate_start)
    buffer = ReplayBuffer(config.buffer_capacity, env.observation_space.shape)
    logger = CsvLogger(config.log_path)
    result = TrainResult(q_network=q_network, logger=logger)
    episode_return = 0.0
    stats: dict[str, float] = {}

    obs, _ = env.reset(seed=config.seed)
    for step in range(config.total_steps):
        # Process 2 for hard updates: every target_update_every env steps taken.
        if config.target_update == "hard" and step % config.target_update_every == 0:
            hard_update(target_network, q_network)

        epsilon = linear_schedule(config.epsilon_start, config.epsilon_end, config.epsilon_decay_steps, step)
        with torch.no_grad():
            q_values = q_network(torch.as_tensor(np.asarray(obs, dtype=np.float32)[None, :]))
        action = int(epsilon_greedy(q_values, epsilon, rng)[0])
        next_obs, reward, terminated, truncated, _ = env.step(action)
        buffer.add(obs, action, reward, next_obs, terminated, truncated)
        obs = next_obs
        episode_return += float(reward)
        if terminated or truncated:
            logger.log(step + 1, **{"charts/episodic_return": episode_return, "charts/epsilon": epsilon})
            episode_return = 0.0
            obs, _ = env.reset()

        if step + 1 >= config.learning_starts and (step + 1) % config.train_every == 0:
            for group in optimizer.param_groups:
                group["lr"] = linear_schedule(config.learning_rate_start, config.learning_rate_end,
                                              config.learning_rate_decay_steps, step)
            for _ in range(config.gradient_steps):
                batch = buffer.sample(config.batch_size, rng)
                targets = compute_targets(batch, q_network, target_network, config.gamma, config.double_q)
                stats = update_q_network(q_network, optimizer, batch.observations, batch.actions, targets,
                                         loss=config.loss, huber_delta=config.huber_delta,
                                         max_grad_norm=config.max_grad_norm)
                if config.target_update == "polyak":
                    polyak_update(target_network, q_network, config.tau)
            result.gradient_steps += config.gradient_steps
        if stats and (step + 1) % config.log_every == 0:
            logger.log(step + 1, **stats, **{"charts/learning_rate": optimizer.param_groups[0]["lr"]})

        if step + 1 >= config.learning_starts and (step + 1) % config.eval_every == 0:
            mean_return = float(np.mean(evaluate(greedy_policy(q_network), config.env_id,
                                                 config.eval_episodes, seed=10_000 + config.seed)))
            result.evaluations.append((step + 1, mean_return))
            logger.log(step + 1, **{"charts/eval_return": mean_return})
            if config.solved_return is not None and mean_return >= config.solved_return:
                result.solved_at = step + 1
                result.env_steps = step + 1
                break
        result.env_steps = step + 1
    env.close()
    logger.close()
    return result
