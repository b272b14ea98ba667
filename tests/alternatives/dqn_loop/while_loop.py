"""A correct training loop with a different shape: a ``while`` loop over a counter of the
environment steps taken so far, the schedule conditions written on that counter, and
``obs`` moved on (next_obs or the reset observation) in one if/else."""
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
    steps_taken = 0
    while steps_taken < config.total_steps:
        epsilon = linear_schedule(config.epsilon_start, config.epsilon_end, config.epsilon_decay_steps,
                                  steps_taken)
        with torch.no_grad():
            q_values = q_network(torch.as_tensor(obs[None], dtype=torch.float32))
        action = epsilon_greedy(q_values, epsilon, rng).item()
        next_obs, reward, terminated, truncated, _ = env.step(action)
        buffer.add(obs, action, reward, next_obs, terminated, truncated)
        steps_taken += 1
        episode_return += float(reward)
        if terminated or truncated:
            logger.log(steps_taken, **{"charts/episodic_return": episode_return, "charts/epsilon": epsilon})
            episode_return = 0.0
            obs, _ = env.reset()
        else:
            obs = next_obs

        if steps_taken >= config.learning_starts and steps_taken % config.train_every == 0:
            for group in optimizer.param_groups:
                group["lr"] = linear_schedule(config.learning_rate_start, config.learning_rate_end,
                                              config.learning_rate_decay_steps, steps_taken)
            for _ in range(config.gradient_steps):
                batch = buffer.sample(config.batch_size, rng)
                targets = compute_targets(batch, q_network, target_network, config.gamma, config.double_q)
                stats = update_q_network(q_network, optimizer, batch.observations, batch.actions, targets,
                                         config.loss, config.huber_delta, config.max_grad_norm)
                result.gradient_steps += 1
                if config.target_update == "polyak":
                    polyak_update(target_network, q_network, config.tau)
        if stats and steps_taken % config.log_every == 0:
            logger.log(steps_taken, **stats, **{"charts/learning_rate": optimizer.param_groups[0]["lr"]})
        if config.target_update == "hard" and steps_taken % config.target_update_every == 0:
            hard_update(target_network, q_network)

        if steps_taken >= config.learning_starts and steps_taken % config.eval_every == 0:
            mean_return = float(np.mean(evaluate(greedy_policy(q_network), config.env_id,
                                                 config.eval_episodes, seed=10_000 + config.seed)))
            result.evaluations.append((steps_taken, mean_return))
            logger.log(steps_taken, **{"charts/eval_return": mean_return})
            if config.solved_return is not None and mean_return >= config.solved_return:
                result.solved_at = steps_taken
                result.env_steps = steps_taken
                break
        result.env_steps = steps_taken
    env.close()
    logger.close()
    return result
